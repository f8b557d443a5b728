"""Payments through Stripe: the gateway (the one module importing `stripe`), the local stand-in,
PaymentIntents, webhooks, refunds, reconciliation and the pay pages."""
