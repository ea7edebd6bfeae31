"""Service-task operators: BPMN `serviceTaskOperator` ids mapped to adapter calls and bank rules."""
