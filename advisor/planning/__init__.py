"""Planning on top of one analysis: scenarios (what if), exit plans (can we leave), migration
waves (in which order) and the multi-year budget (what each year costs).

Each module takes an estate and the base plan (``advisor.pipeline``) and runs the pipeline again
on a changed estate or reads the plan; none reads files of its own or talks to the terminal.
"""
