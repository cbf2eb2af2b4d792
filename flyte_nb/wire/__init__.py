"""What crosses a process boundary: framing and the handshake."""
