"""Post-transaction supervision (事后监督): machine review of packages and the review journey's services."""
