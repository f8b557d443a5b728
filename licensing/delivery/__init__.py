"""Delivery: after the license, the republication package and the use it brings, measured by a pixel."""
