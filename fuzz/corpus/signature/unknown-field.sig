tenon-signature-v1
key-id: 6f24cdaa668e2aaf
signature: xIeaPmCrHdEmiP+47bJ4gB3s+QAr8bmwJdqeUioYmyiY647ejDUfvunCMFqmquAr8zAhL6bxsctWRIp0bDsBAQ==
signer: someone
