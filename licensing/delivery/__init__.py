"""Delivery: after the license, the republication package (clean HTML, text, ninjs) and the use it brings, measured by a pixel."""
