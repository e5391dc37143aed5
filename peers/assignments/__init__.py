"""Who walks with whom: peer profiles, matching a client to a peer, and starting and ending peer work."""
