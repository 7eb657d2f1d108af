"""Reliability scenarios: faults, load and hostile input, each reporting its figures."""
