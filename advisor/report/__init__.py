"""The monthly cost recommendation report: figures (build), words and numbers (i18n), charts
(SVG) and the two page formats (html, markdown). ``advisor report`` drives it."""
