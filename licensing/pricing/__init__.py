"""The rate card and the pure pricing rules that turn a requested use into a quote."""
