-- CreateEnum
CREATE TYPE "InvoiceStatus" AS ENUM ('draft', 'finalized');

-- CreateTable
CREATE TABLE "UsageRecord" (
    "id" UUID NOT NULL,
    "orgId" UUID NOT NULL,
    "clusterId" UUID NOT NULL,
    "dimension" TEXT NOT NULL,
    "quantity" BIGINT NOT NULL,
    "start" TIMESTAMPTZ(3) NOT NULL,
    "end" TIMESTAMPTZ(3) NOT NULL,
    "topic" TEXT,
    "apiKeyId" UUID,
    "invoiceId" UUID,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UsageRecord_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MeteredCluster" (
    "clusterId" UUID NOT NULL,
    "orgId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "plan" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),

    CONSTRAINT "MeteredCluster_pkey" PRIMARY KEY ("clusterId")
);

-- CreateTable
CREATE TABLE "Invoice" (
    "id" UUID NOT NULL,
    "orgId" UUID NOT NULL,
    "periodStart" TIMESTAMPTZ(3) NOT NULL,
    "periodEnd" TIMESTAMPTZ(3) NOT NULL,
    "status" "InvoiceStatus" NOT NULL DEFAULT 'draft',
    "lines" JSONB,
    "subtotal" BIGINT,
    "total" BIGINT,
    "finalizedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Invoice_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "UsageRecord_orgId_clusterId_start_idx" ON "UsageRecord"("orgId", "clusterId", "start");

-- CreateIndex
CREATE INDEX "UsageRecord_orgId_invoiceId_start_idx" ON "UsageRecord"("orgId", "invoiceId", "start");

-- CreateIndex
CREATE INDEX "MeteredCluster_orgId_idx" ON "MeteredCluster"("orgId");

-- CreateIndex
CREATE INDEX "Invoice_status_periodEnd_idx" ON "Invoice"("status", "periodEnd");

-- CreateIndex
CREATE UNIQUE INDEX "Invoice_orgId_periodStart_key" ON "Invoice"("orgId", "periodStart");

-- Clusters made before metering are billed from their creation.
INSERT INTO "MeteredCluster" ("clusterId", "orgId", "name", "plan", "createdAt")
SELECT "id", "orgId", "name", "plan", "createdAt" FROM "Cluster";
