"""A bare Flask app with one route: the floor the load bench compares the app's pages with
(served by gunicorn with the app's own settings: `gunicorn --chdir bench/common hello:app`)."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
@app.get("/<path:anything>")  # the pixel bench asks for the pixel's paths, so wrk does the same work for both
def hello(anything: str = "") -> str:
    return "Hello, World!"
