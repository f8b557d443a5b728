"""Pure rules of billing: tax per line."""
