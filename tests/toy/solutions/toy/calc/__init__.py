"""The toy package students complete."""
