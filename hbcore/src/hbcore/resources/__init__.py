"""Resources: haresources groups, who holds them, and acquiring and releasing them."""
