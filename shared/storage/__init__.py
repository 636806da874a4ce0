"""Blob storage: raw pages, extracted text and exports, by key (`keys`, `blobs`)."""
