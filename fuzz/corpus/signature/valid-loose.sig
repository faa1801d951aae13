tenon-signature-v1
# hand-written, fields in another order, no final newline

signature: xIeaPmCrHdEmiP+47bJ4gB3s+QAr8bmwJdqeUioYmyiY647ejDUfvunCMFqmquAr8zAhL6bxsctWRIp0bDsBAQ==
key-id: 6F24CDAA668E2AAF