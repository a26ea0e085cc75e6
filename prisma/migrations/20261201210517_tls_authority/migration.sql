-- CreateTable
CREATE TABLE "TlsAuthority" (
    "id" TEXT NOT NULL,
    "certPem" TEXT NOT NULL,
    "keyCiphertext" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TlsAuthority_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BrokerCertificate" (
    "clusterId" UUID NOT NULL,
    "host" TEXT NOT NULL,
    "certPem" TEXT NOT NULL,
    "keyCiphertext" TEXT NOT NULL,
    "notAfter" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BrokerCertificate_pkey" PRIMARY KEY ("clusterId")
);

-- AddForeignKey
ALTER TABLE "BrokerCertificate" ADD CONSTRAINT "BrokerCertificate_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
