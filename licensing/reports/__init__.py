"""Revenue by medium and by territory: license data joined to billing's invoices."""
