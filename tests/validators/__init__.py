"""Independent validators the tests run on what the desk sends out (HTML, accessibility, ...)."""
