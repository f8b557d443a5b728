"""Pure rules of a license: its term and credit line, and its machine-readable form (RightsML)."""
