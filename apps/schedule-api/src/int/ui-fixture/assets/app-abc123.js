console.log('ui-fixture asset');
