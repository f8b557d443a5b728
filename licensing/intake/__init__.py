"""The republishing request: validation and lifecycle rules, the request model, and the services that
quote, submit, track, withdraw and answer."""
