<?xml version="1.0" encoding="UTF-8"?>
<TestSuiteEntity>
   <description>Checkout flows</description>
   <name>Checkout</name>
   <tag></tag>
   <isRerun>false</isRerun>
   <numberOfRerun>0</numberOfRerun>
   <pageLoadTimeout>30</pageLoadTimeout>
   <pageLoadTimeoutDefault>true</pageLoadTimeoutDefault>
   <rerunFailedTestCasesOnly>false</rerunFailedTestCasesOnly>
   <testSuiteGuid>c5e3d4f6-3333-4e4a-8f9b-7c6d5e4f3a21</testSuiteGuid>
</TestSuiteEntity>
