"""Words and number formats of the report, per language (``--lang en|nl``).

Numbers: en 1,234.56 and EUR as "€1,234.56"; nl 1.234,56 and "€ 1.234,56". Money is rounded
half-up to cents here, at the edge, and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from advisor.errors import InputError
from advisor.money import cents, payback_months

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}

MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
}

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "IT cost report",
        "subtitle": "{estate}: {month}, amounts in {currency} per month, cost basis {basis}",
        "headline": "Headline",
        "total": "Total IT cost this month",
        "vs_last_month": "Change against last month",
        "trend3": "Three-month trend",
        "avg3": "three-month average {amount}",
        "per_inhabitant": "Hosting cost per inhabitant per year",
        "whole_it": "Whole IT cost per inhabitant per year",
        "whole_it_value": "{year} per year: hosting plus {other} per month of other IT cost",
        "benchmark": "published benchmark {value} ({source}{year})",
        "more_moves_row": "{n} more moves",
        "stays_row": "{n} workloads that stay but change cost (egress)",
        "line_fixed": "fixed cost of {what}",
        "line_provider": "provider {what}",
        "line_commitment": "commitment {what}",
        "objective_line": "Objective: {parts} = {objective} per month.",
        "objective_rec": "{amount} recommended monthly cost",
        "objective_migration": "{amount} migration",
        "objective_onboarding": "{amount} provider onboarding",
        "objective_closing": "{amount} closing locations",
        "objective_penalty": "{amount} penalties of accepted warnings",
        "per_inhabitant_value": "{month} per month, {year} per year ({people} inhabitants)",
        "no_previous": "no stored figures for {month}",
        "need_three": "needs three stored months ({have} stored)",
        "from_to": "from {a} ({ma}) to {b} ({mb})",
        "split_provider": "By provider",
        "split_location": "By location",
        "split_kind": "On-premise and cloud",
        "onprem": "On-premise",
        "cloud": "Cloud",
        "share": "share",
        "amount": "amount",
        "provider": "provider",
        "location": "location",
        "application": "application",
        "modelled_mark": "modelled",
        "billed": "billed",
        "modelled": "modelled",
        "trend_chart": "Cost trend by provider, last {n} stored months",
        "trend_table": "Monthly cost by provider",
        "trend_small": "Each provider on its own scale (from zero)",
        "own_scale": "scale {lo} to {hi}",
        "month": "month",
        "total_col": "total",
        "recommendations": "Recommendations",
        "board_total": "The decision: {moves} moves save {saving} per month for a one-off "
                       "{one_off} (payback {payback}).",
        "saving_moves": "{n} moves that save money: {saving} per month",
        "rule_moves": "{n} moves that cost more on their own (a rule or the plan as a whole "
                      "needs them): {extra} per month",
        "objective_note": "One-off costs (migration, onboarding, closing) are spread over "
                          "{horizon} months in the optimisation.",
        "payback_immediate": "immediate",
        "payback_never": "never",
        "payback_months": "{n} months",
        "waterfall": "From today's cost to the recommended placement (modelled, per month)",
        "today": "Today",
        "recommended": "Recommended",
        "other_apps": "{n} other applications",
        "move": "move",
        "workload": "workload",
        "from_loc": "now",
        "to_loc": "recommended",
        "saving": "saving / month",
        "one_off": "one-off cost",
        "payback": "payback",
        "more_moves": "and {n} more moves, together {saving} per month",
        "no_moves": "The current placement is already the cheapest that obeys every rule.",
        "rightsizing": "Rightsizing (apart from placement)",
        "rightsizing_text": "Requests sized to measured use (p95 x headroom) at the current "
                            "location would save {saving} per month for {n} workloads. This is "
                            "not included in the placement savings above.",
        "rightsizing_none": "No workload has measured usage that allows rightsizing.",
        "cpu_now": "CPU now",
        "cpu_rec": "CPU recommended",
        "mem_now": "memory GB now",
        "mem_rec": "memory GB recommended",
        "chains": "Application chains that move",
        "chains_text": "Each box is a workload: the left band is where it runs now, the right "
                       "band where it should run; arrows carry the monthly traffic.",
        "by_application": "Cost by application (top {n}, {month})",
        "by_application_note": "Unallocated cost ({amount}) is not in this chart.",
        "compliance": "Compliance",
        "findings_none": "Today's placement breaks no rule.",
        "findings_intro": "Today's placement breaks {n} rules ({errors} errors, {warnings} "
                          "warnings, {infos} notices).",
        "rule": "rule",
        "severity": "severity",
        "findings": "findings",
        "waived": "waived",
        "references": "references",
        "workloads": "workloads",
        "error": "error",
        "warning": "warning",
        "info": "notice",
        "waivers": "Waivers",
        "waivers_none": "No waivers file (waivers.yaml beside advisor.yaml, or --waivers).",
        "waiver_subject": "applies to",
        "owner": "owner",
        "expires": "expires",
        "status": "status",
        "reason": "reason",
        "expired": "EXPIRED",
        "expires_soon": "expires within 90 days",
        "valid": "valid",
        "unallocated": "Unallocated cost and calibration",
        "unallocated_text": "Billed cost that matched no workload: {amount} ({share} of the "
                            "bill).",
        "unallocated_change": "Last month: {amount} ({change}).",
        "unallocated_none": "No billing data: the estate configures no ledger source, so every "
                            "figure in this report is modelled.",
        "calibration": "Calibration of the price model against the bill ({month})",
        "calibration_none": "No calibration: the ledger has no rows for this month.",
        "billed_col": "billed",
        "modelled_col": "modelled",
        "difference": "difference",
        "ratio": "billed / modelled",
        "assumptions": "Assumptions",
        "cost_basis": "Cost basis",
        "basis_billed": "billed",
        "basis_effective": "effective",
        "basis_list": "list price",
        "cost_basis_text": "{basis} (FOCUS {column}); amounts in {currency}, rounded to cents "
                           "only when shown.",
        "horizon": "Horizon",
        "horizon_text": "One-off migration costs are spread over {n} months.",
        "switching": "Switching charges",
        "switching_paid": "As of {day}, data leaving a cloud provider for another provider is "
                          "charged at most at cost (the location's switching_gb, default its "
                          "egress price; EU Data Act Art. 29(2)-(3)); free from {free}.",
        "switching_free": "As of {day}, data leaving a cloud provider for another provider is "
                          "free (EU Data Act Art. 29(1), from {free}).",
        "rates": "Exchange rates",
        "rates_none": "Every amount is in {currency}; no conversion was needed.",
        "rate_line": "1 {cur} = {rate} {currency}, rate of {date}",
        "rate_used": "used for {what}",
        "prices_word": "location prices",
        "bills_word": "bills of {months}",
        "prices": "Price sources",
        "price_source": "price source",
        "price_date": "price date",
        "not_recorded": "not recorded",
        "tco": "TCO of own hardware",
        "list_prices": "price list in {file}",
        "modelled_note": "No bill covers {locations}: their cost is the modelled cost of "
                         "today's placement from the price model (the plan of {plan}).",
        "sources": "Sources read",
        "notes": "Notes",
        "failed_source": "FAILED SOURCE",
        "failed_warning": "A data source failed; the figures below are incomplete: {sources}.",
        "generated": "Made by advisor {version}.",
        "contents": "Contents",
        "summary_subject": "IT cost report {month}: {estate}",
        "summary_body": "IT cost {month}: {total} ({change} against last month).\n"
                        "Recommended: {moves} moves save {saving} per month for a one-off "
                        "{one_off}.\nCompliance: {errors} errors, {warnings} warnings.\n"
                        "The full report is attached.",
        "no_change": "no previous month",
        "chart_none": "Not enough stored months for a chart.",
        "legend_modelled": "hatched: modelled",
        "no_location": "(no location)",
        "scenarios": "Scenarios",
        "scenarios_text": "The base plan and each scenario of advisor.yaml, analyzed the same "
                          "way (monthly cost today and after its own recommended placement). "
                          "Differences: workloads the scenario places elsewhere than the base "
                          "plan (advisor analyze --scenario lists them).",
        "scenario": "scenario",
        "base_plan": "base plan",
        "now": "now / month",
        "after": "after / month",
        "moves_col": "moves",
        "differences": "differences",
        "objective_col": "objective / month",
        "budget": "Multi-year budget",
        "budget_text": "The recommended placement per calendar year (the moves in the first "
                       "year): operating cost, capital charges (depreciation of on-premise "
                       "hardware, and book value written off when a location closes), "
                       "commitments and one-off cost (advisor analyze --budget gives the CSV).",
        "year": "year",
        "operating": "operating",
        "capital_charges": "capital charges",
        "commitments_col": "commitments",
        "total_year": "total",
        "budget_chart": "Budget of the recommended placement per year",
        "budget_scenarios": "Base plan and scenarios per year",
        "budget_scenarios_text": "The same budget for each scenario of advisor.yaml: its total "
                                 "per year and over the years, and the difference with the base "
                                 "plan (advisor analyze --scenario FILE --budget gives each "
                                 "scenario's parts, and the CSV).",
        "budget_scenarios_chart": "Total per year: base plan and scenarios",
        "total_years": "total",
        "vs_base": "vs base plan",
        "targets": "Targets",
        "targets_text": "The targets of advisor.yaml, which the recommended placement meets "
                        "exactly, as shares of cloud spend (the run and licence cost of the "
                        "workloads in public clouds, and SaaS subscriptions). Price: what "
                        "meeting the target adds to the monthly cost the optimizer minimises "
                        "(the plan with every binding target less the plan without this one).",
        "target": "target",
        "share_now": "share now",
        "share_after": "share after",
        "target_met": "met",
        "price_month": "price / month",
        "yes": "yes",
        "no": "NO",
        "and_word": " and ",
        "target_per_provider": "at most {share} of cloud spend per provider",
        "target_min": "at least {share}",
        "target_max": "at most {share}",
        "target_share": "{bounds} of cloud spend at locations with {where}",
        "target_from": " from {date}",
        "target_largest": "largest: {provider}",
        "target_no_spend": "no cloud spend",
        "target_not_binding": " (after the horizon: not binding)",
        "other": "Other",
    },
    "nl": {
        "title": "IT-kostenrapportage",
        "subtitle": "{estate}: {month}, bedragen in {currency} per maand, kostenbasis {basis}",
        "headline": "Kerncijfers",
        "total": "Totale IT-kosten deze maand",
        "vs_last_month": "Verschil met vorige maand",
        "trend3": "Trend over drie maanden",
        "avg3": "driemaandsgemiddelde {amount}",
        "per_inhabitant": "Hostingkosten per inwoner per jaar",
        "whole_it": "Totale IT-kosten per inwoner per jaar",
        "whole_it_value": "{year} per jaar: hosting plus {other} per maand aan overige IT-kosten",
        "benchmark": "gepubliceerde benchmark {value} ({source}{year})",
        "more_moves_row": "nog {n} verhuizingen",
        "stays_row": "{n} workloads die blijven maar anders kosten (dataverkeer)",
        "line_fixed": "vaste kosten van {what}",
        "line_provider": "leverancier {what}",
        "line_commitment": "verplichting {what}",
        "objective_line": "Doelfunctie: {parts} = {objective} per maand.",
        "objective_rec": "{amount} aanbevolen maandkosten",
        "objective_migration": "{amount} migratie",
        "objective_onboarding": "{amount} instap bij leveranciers",
        "objective_closing": "{amount} sluiten van locaties",
        "objective_penalty": "{amount} boetes van geaccepteerde waarschuwingen",
        "per_inhabitant_value": "{month} per maand, {year} per jaar ({people} inwoners)",
        "no_previous": "geen opgeslagen cijfers voor {month}",
        "need_three": "vraagt drie opgeslagen maanden ({have} opgeslagen)",
        "from_to": "van {a} ({ma}) naar {b} ({mb})",
        "split_provider": "Per leverancier",
        "split_location": "Per locatie",
        "split_kind": "Eigen datacenter en cloud",
        "onprem": "Eigen datacenter",
        "cloud": "Cloud",
        "share": "aandeel",
        "amount": "bedrag",
        "provider": "leverancier",
        "location": "locatie",
        "application": "applicatie",
        "modelled_mark": "gemodelleerd",
        "billed": "gefactureerd",
        "modelled": "gemodelleerd",
        "trend_chart": "Kostenverloop per leverancier, laatste {n} opgeslagen maanden",
        "trend_table": "Maandkosten per leverancier",
        "trend_small": "Elke leverancier op een eigen schaal (vanaf nul)",
        "own_scale": "schaal {lo} tot {hi}",
        "month": "maand",
        "total_col": "totaal",
        "recommendations": "Aanbevelingen",
        "board_total": "Het besluit: {moves} verhuizingen besparen {saving} per maand voor "
                       "eenmalig {one_off} (terugverdiend in {payback}).",
        "saving_moves": "{n} verhuizingen die geld besparen: {saving} per maand",
        "rule_moves": "{n} verhuizingen die op zich meer kosten (een regel of het plan als "
                      "geheel vraagt erom): {extra} per maand",
        "objective_note": "Eenmalige kosten (migratie, instap, sluiten) zijn in de "
                          "optimalisatie over {horizon} maanden gespreid.",
        "payback_immediate": "direct",
        "payback_never": "nooit",
        "payback_months": "{n} maanden",
        "waterfall": "Van de kosten van vandaag naar de aanbevolen plaatsing (gemodelleerd, per "
                     "maand)",
        "today": "Vandaag",
        "recommended": "Aanbevolen",
        "other_apps": "{n} andere applicaties",
        "move": "verhuizing",
        "workload": "workload",
        "from_loc": "nu",
        "to_loc": "aanbevolen",
        "saving": "besparing / maand",
        "one_off": "eenmalige kosten",
        "payback": "terugverdientijd",
        "more_moves": "en nog {n} verhuizingen, samen {saving} per maand",
        "no_moves": "De huidige plaatsing is al de goedkoopste die aan alle regels voldoet.",
        "rightsizing": "Juist dimensioneren (rightsizing, los van plaatsing)",
        "rightsizing_text": "Reserveringen afgestemd op het gemeten gebruik (p95 x marge) op de "
                            "huidige locatie besparen {saving} per maand voor {n} workloads. Dit "
                            "zit niet in de besparing door verhuizen hierboven.",
        "rightsizing_none": "Geen workload heeft gemeten gebruik waarmee rightsizing kan.",
        "cpu_now": "CPU nu",
        "cpu_rec": "CPU aanbevolen",
        "mem_now": "geheugen GB nu",
        "mem_rec": "geheugen GB aanbevolen",
        "chains": "Applicatieketens die verhuizen",
        "chains_text": "Elk blok is een workload: de linkerband is waar hij nu draait, de "
                       "rechterband waar hij zou moeten draaien; pijlen tonen het dataverkeer "
                       "per maand.",
        "by_application": "Kosten per applicatie (top {n}, {month})",
        "by_application_note": "Niet-toegewezen kosten ({amount}) staan niet in deze grafiek.",
        "compliance": "Naleving",
        "findings_none": "De huidige plaatsing overtreedt geen enkele regel.",
        "findings_intro": "De huidige plaatsing overtreedt {n} regels ({errors} fouten, "
                          "{warnings} waarschuwingen, {infos} meldingen).",
        "rule": "regel",
        "severity": "ernst",
        "findings": "bevindingen",
        "waived": "uitgezonderd",
        "references": "verwijzingen",
        "workloads": "workloads",
        "error": "fout",
        "warning": "waarschuwing",
        "info": "melding",
        "waivers": "Uitzonderingen",
        "waivers_none": "Geen uitzonderingenbestand (waivers.yaml naast advisor.yaml, of "
                        "--waivers).",
        "waiver_subject": "geldt voor",
        "owner": "eigenaar",
        "expires": "verloopt",
        "status": "status",
        "reason": "reden",
        "expired": "VERLOPEN",
        "expires_soon": "verloopt binnen 90 dagen",
        "valid": "geldig",
        "unallocated": "Niet-toegewezen kosten en kalibratie",
        "unallocated_text": "Gefactureerde kosten die bij geen workload horen: {amount} "
                            "({share} van de factuur).",
        "unallocated_change": "Vorige maand: {amount} ({change}).",
        "unallocated_none": "Geen factuurgegevens: het estate heeft geen ledger-bron, dus elk "
                            "bedrag in dit rapport is gemodelleerd.",
        "calibration": "Kalibratie van het prijsmodel tegen de factuur ({month})",
        "calibration_none": "Geen kalibratie: de ledger heeft geen regels voor deze maand.",
        "billed_col": "gefactureerd",
        "modelled_col": "gemodelleerd",
        "difference": "verschil",
        "ratio": "gefactureerd / gemodelleerd",
        "assumptions": "Uitgangspunten",
        "cost_basis": "Kostenbasis",
        "basis_billed": "gefactureerd",
        "basis_effective": "effectief (na kortingen)",
        "basis_list": "catalogusprijs",
        "cost_basis_text": "{basis} (FOCUS {column}); bedragen in {currency}, pas bij het tonen "
                           "afgerond op centen.",
        "horizon": "Horizon",
        "horizon_text": "Eenmalige migratiekosten worden over {n} maanden gespreid.",
        "switching": "Overstapkosten",
        "switching_paid": "Per {day} kost data die een cloudleverancier verlaat naar een andere "
                          "leverancier hooguit de kostprijs (switching_gb van de locatie, "
                          "anders haar prijs voor uitgaand verkeer; EU Data Act art. 29(2)-(3)); "
                          "kosteloos vanaf {free}.",
        "switching_free": "Per {day} is data die een cloudleverancier verlaat naar een andere "
                          "leverancier kosteloos (EU Data Act art. 29(1), vanaf {free}).",
        "rates": "Wisselkoersen",
        "rates_none": "Alle bedragen zijn in {currency}; omrekenen was niet nodig.",
        "rate_line": "1 {cur} = {rate} {currency}, koers van {date}",
        "rate_used": "gebruikt voor {what}",
        "prices_word": "locatieprijzen",
        "bills_word": "facturen van {months}",
        "prices": "Prijsbronnen",
        "price_source": "prijsbron",
        "price_date": "prijsdatum",
        "not_recorded": "niet vastgelegd",
        "tco": "TCO van eigen hardware",
        "list_prices": "prijslijst in {file}",
        "modelled_note": "Geen factuur dekt {locations}: hun kosten zijn de gemodelleerde "
                         "kosten van de huidige plaatsing volgens het prijsmodel (het plan van "
                         "{plan}).",
        "sources": "Gelezen bronnen",
        "notes": "Opmerkingen",
        "failed_source": "MISLUKTE BRON",
        "failed_warning": "Een gegevensbron is mislukt; de cijfers hieronder zijn onvolledig: "
                          "{sources}.",
        "generated": "Gemaakt door advisor {version}.",
        "contents": "Inhoud",
        "summary_subject": "IT-kostenrapportage {month}: {estate}",
        "summary_body": "IT-kosten {month}: {total} ({change} ten opzichte van vorige maand).\n"
                        "Aanbevolen: {moves} verhuizingen besparen {saving} per maand voor "
                        "eenmalig {one_off}.\nNaleving: {errors} fouten, {warnings} "
                        "waarschuwingen.\nHet volledige rapport zit in de bijlage.",
        "no_change": "geen vorige maand",
        "chart_none": "Te weinig opgeslagen maanden voor een grafiek.",
        "legend_modelled": "gearceerd: gemodelleerd",
        "no_location": "(geen locatie)",
        "scenarios": "Scenario's",
        "scenarios_text": "Het basisplan en elk scenario uit advisor.yaml, op dezelfde manier "
                          "doorgerekend (maandkosten nu en na de eigen aanbevolen plaatsing). "
                          "Verschillen: workloads die het scenario anders plaatst dan het "
                          "basisplan (advisor analyze --scenario noemt ze).",
        "scenario": "scenario",
        "base_plan": "basisplan",
        "now": "nu / maand",
        "after": "daarna / maand",
        "moves_col": "verplaatsingen",
        "differences": "verschillen",
        "objective_col": "doelfunctie / maand",
        "budget": "Meerjarenbegroting",
        "budget_text": "De aanbevolen plaatsing per kalenderjaar (de verplaatsingen in het "
                       "eerste jaar): exploitatielasten, kapitaallasten (afschrijving van eigen "
                       "hardware, en de boekwaarde die wordt afgeboekt als een locatie sluit), "
                       "verplichtingen en eenmalige kosten (advisor analyze --budget geeft de "
                       "CSV).",
        "year": "jaar",
        "operating": "exploitatie",
        "capital_charges": "kapitaallasten",
        "commitments_col": "verplichtingen",
        "total_year": "totaal",
        "budget_chart": "Begroting van de aanbevolen plaatsing per jaar",
        "budget_scenarios": "Basisplan en scenario's per jaar",
        "budget_scenarios_text": "Dezelfde begroting voor elk scenario uit advisor.yaml: het "
                                 "totaal per jaar en over de jaren, en het verschil met het "
                                 "basisplan (advisor analyze --scenario BESTAND --budget geeft "
                                 "de onderdelen per scenario, en de CSV).",
        "budget_scenarios_chart": "Totaal per jaar: basisplan en scenario's",
        "total_years": "totaal",
        "vs_base": "t.o.v. basisplan",
        "targets": "Doelen",
        "targets_text": "De doelen uit advisor.yaml, waaraan de aanbevolen plaatsing precies "
                        "voldoet, als aandelen van de clouduitgaven (de draai- en "
                        "licentiekosten van workloads in publieke clouds, en SaaS-abonnementen). "
                        "Prijs: wat het doel toevoegt aan de maandkosten die de optimalisatie "
                        "minimaliseert (het plan met alle bindende doelen min het plan zonder "
                        "dit doel).",
        "target": "doel",
        "share_now": "aandeel nu",
        "share_after": "aandeel daarna",
        "target_met": "gehaald",
        "price_month": "prijs / maand",
        "yes": "ja",
        "no": "NEE",
        "and_word": " en ",
        "target_per_provider": "ten hoogste {share} van de clouduitgaven per leverancier",
        "target_min": "ten minste {share}",
        "target_max": "ten hoogste {share}",
        "target_share": "{bounds} van de clouduitgaven op locaties met {where}",
        "target_from": " vanaf {date}",
        "target_largest": "grootste: {provider}",
        "target_no_spend": "geen clouduitgaven",
        "target_not_binding": " (na de horizon: niet bindend)",
        "other": "Overig",
    },
}

LANGUAGES = tuple(WORDS)


@dataclass(frozen=True)
class Lang:
    """One language: words, and how numbers, money and months are written."""

    code: str
    currency: str

    @property
    def words(self) -> dict[str, str]:
        return WORDS[self.code]

    def t(self, key: str, **values: object) -> str:
        text = self.words[key]
        return text.format(**values) if values else text

    def _group(self, text: str) -> str:
        """'1,234.56' (Python's format) in this language's separators."""
        if self.code == "nl":
            return text.replace(",", "_").replace(".", ",").replace("_", ".")
        return text

    def number(self, value: Decimal | int | float, places: int = 2) -> str:
        q = Decimal(value).quantize(Decimal(10) ** -places, rounding=ROUND_HALF_UP) \
            if places else Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return self._group(f"{q:,.{places}f}")

    def money(self, amount: Decimal, signed: bool = False) -> str:
        """An amount with its currency, rounded to cents: €1,234.56 / € 1.234,56."""
        value = cents(amount)
        sign = "-" if value < 0 else ("+" if signed and value > 0 else "")
        digits = self._group(f"{abs(value):,.2f}")
        symbol = SYMBOLS.get(self.currency)
        if symbol is None:
            return f"{sign}{self.currency} {digits}"
        return f"{sign}{symbol} {digits}" if self.code == "nl" else f"{sign}{symbol}{digits}"

    def money_short(self, amount: Decimal) -> str:
        """Whole units, for chart axes: €120,000 / € 120.000."""
        value = Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        sign = "-" if value < 0 else ""
        digits = self._group(f"{abs(value):,.0f}")
        symbol = SYMBOLS.get(self.currency)
        if symbol is None:
            return f"{sign}{self.currency} {digits}"
        return f"{sign}{symbol} {digits}" if self.code == "nl" else f"{sign}{symbol}{digits}"

    def percent(self, fraction: Decimal, signed: bool = True) -> str:
        value = (fraction * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if value == 0:
            value = Decimal("0.0")  # never "-0.0%"
        sign = "+" if signed and value > 0 else ""
        return f"{sign}{self._group(f'{value:,.1f}')}%"

    def month(self, month: str) -> str:
        """'2026-10' -> 'October 2026' / 'oktober 2026'."""
        year, mon = month.split("-")
        return f"{MONTHS[self.code][int(mon) - 1]} {year}"

    def month_short(self, month: str) -> str:
        year, mon = month.split("-")
        return f"{MONTHS[self.code][int(mon) - 1][:3]} {year}"

    def date(self, value: object) -> str:
        """ISO dates everywhere: unambiguous in both languages."""
        return str(value)

    def payback(self, one_off: Decimal, saving: Decimal) -> str:
        months = payback_months(one_off, saving)
        if months is None:
            return self.t("payback_never") if one_off else "-"
        if months == 0:
            return self.t("payback_immediate")
        return self.t("payback_months", n=self.number(months, 1))

    def severity(self, severity: str) -> str:
        return self.words.get(severity, severity)


def language(code: str, currency: str) -> Lang:
    """The language for ``--lang``; an unknown one is a one-line input error."""
    if code not in WORDS:
        raise InputError(f"unknown --lang '{code}': choose one of {', '.join(LANGUAGES)}")
    return Lang(code, currency)


PROVIDER_NAMES = {"onprem": "On-premise", "aws": "AWS", "azure": "Azure", "gcp": "Google Cloud",
                  "other": "Other", "saas": "SaaS"}


def provider_name(key: str, lang: Lang | None = None) -> str:
    if key in ("onprem", "other") and lang is not None:
        return lang.t(key)
    return PROVIDER_NAMES.get(key, key)
