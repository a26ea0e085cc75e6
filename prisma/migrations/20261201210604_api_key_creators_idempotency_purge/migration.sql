-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "createdByUserId" UUID;

-- CreateIndex
CREATE INDEX "ApiKey_orgId_createdByUserId_idx" ON "ApiKey"("orgId", "createdByUserId");

-- CreateIndex
CREATE INDEX "IdempotencyRecord_createdAt_idx" ON "IdempotencyRecord"("createdAt");

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_orgId_createdByUserId_fkey" FOREIGN KEY ("orgId", "createdByUserId") REFERENCES "Membership"("orgId", "userId") ON DELETE CASCADE ON UPDATE CASCADE;
