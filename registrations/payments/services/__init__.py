"""Payments services: every state change of payments, refunds and invoices."""
