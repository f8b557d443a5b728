"""What billing announces. Licensing subscribes (to activate, revoke or cancel a license);
billing never imports licensing's domain. Receivers get the session of the transaction in which
the change happens, so their own changes commit (or roll back) together with it."""
from blinker import Namespace

_signals = Namespace()

invoice_paid = _signals.signal("invoice-paid")  # kwargs: session, invoice
invoice_refunded = _signals.signal("invoice-refunded")  # kwargs: session, invoice, refund, full
invoice_voided = _signals.signal("invoice-voided")  # kwargs: session, invoice
