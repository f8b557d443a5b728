"""What only admins (and each user for themself) touch: users and roles, the tax table, rejection
reasons, API tokens and the audit export."""
