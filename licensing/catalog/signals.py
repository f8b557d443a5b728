"""What the catalog announces. Delivery subscribes (to send corrections to licensees); the catalog
never imports the features above it. Receivers get the session of the import's transaction, so what
they record commits (or rolls back) with the corrected body."""
from blinker import Namespace

_signals = Namespace()

# kwargs: session, article, old_html, old_text (the article already holds the corrected body)
body_corrected = _signals.signal("body-corrected")
