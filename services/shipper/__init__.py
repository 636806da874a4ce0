"""Shipper: versioned dataset files and dataset cards."""
