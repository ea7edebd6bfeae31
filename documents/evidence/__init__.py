"""Paper-free evidence: the signed, self-verifying package every finished journey leaves behind."""
