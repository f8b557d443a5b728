"""The standard republishing terms: a public, versioned document (every version kept; admins
publish a new one), linked from the request form, the tracking page and the license; the request
records the version accepted and the license prints it. Also the wording that depends on the
seller's English ("licence" in en-GB, "license" in en-US) and the one-line meaning of each term."""
