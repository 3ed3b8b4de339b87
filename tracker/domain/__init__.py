"""What the rest of the app agrees on: the errors a refused change raises, who may do what,
and the states derived from dates. Imports nothing but the models."""
