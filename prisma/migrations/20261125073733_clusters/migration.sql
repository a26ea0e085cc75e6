-- CreateEnum
CREATE TYPE "ClusterStatus" AS ENUM ('PROVISIONING', 'RUNNING', 'DELETING', 'DELETED', 'FAILED');

-- CreateTable
CREATE TABLE "Cluster" (
    "id" UUID NOT NULL,
    "orgId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "plan" TEXT NOT NULL,
    "region" TEXT NOT NULL,
    "status" "ClusterStatus" NOT NULL DEFAULT 'PROVISIONING',
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "brokerTokenHash" TEXT NOT NULL,
    "failureReason" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "configVersion" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "runningAt" TIMESTAMPTZ(3),

    CONSTRAINT "Cluster_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ClusterApiKey" (
    "id" UUID NOT NULL,
    "orgId" UUID NOT NULL,
    "clusterId" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ClusterApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ClusterEvent" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "orgId" UUID NOT NULL,
    "clusterId" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "status" "ClusterStatus" NOT NULL,
    "message" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ClusterEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Cluster_orgId_id_idx" ON "Cluster"("orgId", "id");

-- CreateIndex
CREATE INDEX "Cluster_status_idx" ON "Cluster"("status");

-- CreateIndex
CREATE UNIQUE INDEX "Cluster_orgId_name_key" ON "Cluster"("orgId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Cluster_host_port_key" ON "Cluster"("host", "port");

-- CreateIndex
CREATE UNIQUE INDEX "ClusterApiKey_key_key" ON "ClusterApiKey"("key");

-- CreateIndex
CREATE INDEX "ClusterApiKey_orgId_clusterId_id_idx" ON "ClusterApiKey"("orgId", "clusterId", "id");

-- CreateIndex
CREATE UNIQUE INDEX "ClusterEvent_seq_key" ON "ClusterEvent"("seq");

-- CreateIndex
CREATE INDEX "ClusterEvent_orgId_clusterId_seq_idx" ON "ClusterEvent"("orgId", "clusterId", "seq");

-- AddForeignKey
ALTER TABLE "Cluster" ADD CONSTRAINT "Cluster_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ClusterApiKey" ADD CONSTRAINT "ClusterApiKey_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ClusterEvent" ADD CONSTRAINT "ClusterEvent_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
