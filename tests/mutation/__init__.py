"""Mutation testing of the pure rules (`make mutation`): would the unit tests notice a bug?

mutmut mutates the functions of each module (targets.py) and runs that module's own unit tests
against every mutant; tables.py does the same to the module-level tables, which mutmut leaves
alone. run.py prints a score per module and fails below the floors. Equivalent mutants (ones no
test can tell apart from the original) are listed, each with its reason, in equivalent.toml.
"""
