"""A third-party aigc-sdk plugin: a conditional GAN for 2-D points."""
