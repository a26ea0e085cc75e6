-- DropForeignKey
ALTER TABLE "Session" DROP CONSTRAINT "Session_orgId_fkey";

-- DropForeignKey
ALTER TABLE "Session" DROP CONSTRAINT "Session_userId_fkey";

-- DropIndex
DROP INDEX "Session_userId_idx";

-- CreateIndex
CREATE INDEX "Session_orgId_userId_idx" ON "Session"("orgId", "userId");

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_orgId_userId_fkey" FOREIGN KEY ("orgId", "userId") REFERENCES "Membership"("orgId", "userId") ON DELETE CASCADE ON UPDATE CASCADE;
