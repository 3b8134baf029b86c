"""The payments wing of registrations: cards and webhooks (the Stripe edge), bank transfers,
refunds and invoicing, with its own views, API, admin and URLs."""
