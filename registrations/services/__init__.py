"""Every state change of registrations goes through these functions (one module per job)."""
