"""A small order service in the pre-scopeguard style: clients created wherever they are needed."""
