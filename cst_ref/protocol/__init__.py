"""The WallStreetFeds round: contribution shares, distribution rules and the federation's
pure-Python twin, which reproduces ``contracts/federation.vy`` bit for bit."""
