"""Pure rules of a request: input validation and the lifecycle's transition table."""
