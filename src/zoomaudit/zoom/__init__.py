"""The Zoom REST API client: OAuth, rate budgets, retries, typed endpoints."""
