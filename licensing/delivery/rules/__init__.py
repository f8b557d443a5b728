"""Pure rules of delivery: sanitising, the package's renditions, the pixel token, usage flags and correction diffs."""
