// Backbone
