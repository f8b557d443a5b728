"""Independent validators of what the desk publishes (ODRL/RightsML licenses, schema.org page markup), offline."""
