-- AlterTable
ALTER TABLE "Cluster" ADD COLUMN     "autoCreateTopics" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "defaultKeyQuota" JSONB,
ADD COLUMN     "quotaOverrides" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "ClusterApiKey" ADD COLUMN     "egressBytesPerSecond" INTEGER,
ADD COLUMN     "ingressBytesPerSecond" INTEGER;

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "maxApiKeys" INTEGER,
ADD COLUMN     "maxClusterApiKeysPerCluster" INTEGER,
ADD COLUMN     "maxClusters" INTEGER;

-- CreateTable
CREATE TABLE "BrokerStatus" (
    "clusterId" UUID NOT NULL,
    "nodeId" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "partitions" INTEGER NOT NULL,
    "hotStoredBytes" BIGINT NOT NULL,
    "connections" INTEGER NOT NULL,
    "ingressBytesPerSecond" DOUBLE PRECISION NOT NULL,
    "egressBytesPerSecond" DOUBLE PRECISION NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BrokerStatus_pkey" PRIMARY KEY ("clusterId","nodeId")
);

-- AddForeignKey
ALTER TABLE "BrokerStatus" ADD CONSTRAINT "BrokerStatus_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
