"""gunicorn settings of `make serve` (`gunicorn -c python:licensing.gunicorn_conf`)."""
from licensing.gctune import settle_heap


def post_worker_init(worker) -> None:  # noqa: ANN001
    """The app is loaded: take its heap out of later garbage collections."""
    settle_heap()
