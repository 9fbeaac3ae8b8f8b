"""The WallStreetFeds round: from a federated-learning round to rewards paid through tokens.

``rule_comparison`` runs the three distribution rules side by side on the twins.
"""
