"""Use cases: each opens one transaction, changes the model, emits events, commits."""
