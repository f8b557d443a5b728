"""Pure rules of billing: tax per line and its EN 16931 category, VAT id and bank id checks, exact refund
splits, and the e-invoice (CII XML) built from plain values."""
