tenon-signature-v1
key-id: 6f24cdaa668e2aaf
