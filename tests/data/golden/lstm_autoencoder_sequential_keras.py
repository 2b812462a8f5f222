# LSTM autoencoder, as designed in LayerLoom.
# Keras functional API; runs on Keras 3 and on tf.keras 2.x. Every layer option is
# written out, so that defaults that differ between versions do not apply.
try:
    import keras
    from keras import layers, regularizers
except ImportError:  # TensorFlow 2.x without the keras package
    from tensorflow import keras
    from tensorflow.keras import layers, regularizers

model = keras.Sequential([
    keras.Input(shape=(32, 1), name="input_1"),  # (None, 32, 1)
    layers.LSTM(units=512, activation="tanh", recurrent_activation="sigmoid", use_bias=True, return_sequences=True, go_backwards=False, return_state=False, dropout=0.0, recurrent_dropout=0.0, kernel_regularizer=None, unit_forget_bias=True, name="lstm_1"),  # (None, 32, 512)
    layers.LSTM(units=256, activation="tanh", recurrent_activation="sigmoid", use_bias=True, return_sequences=True, go_backwards=False, return_state=False, dropout=0.0, recurrent_dropout=0.0, kernel_regularizer=None, unit_forget_bias=True, name="lstm_2"),  # (None, 32, 256)
    layers.LSTM(units=20, activation="tanh", recurrent_activation="sigmoid", use_bias=True, return_sequences=False, go_backwards=False, return_state=False, dropout=0.0, recurrent_dropout=0.0, kernel_regularizer=None, unit_forget_bias=True, name="lstm_3"),  # (None, 20)
    layers.RepeatVector(n=32, name="repeat_vector_1"),  # (None, 32, 20)
    layers.LSTM(units=20, activation="tanh", recurrent_activation="sigmoid", use_bias=True, return_sequences=True, go_backwards=False, return_state=False, dropout=0.0, recurrent_dropout=0.0, kernel_regularizer=None, unit_forget_bias=True, name="lstm_4"),  # (None, 32, 20)
    layers.LSTM(units=256, activation="tanh", recurrent_activation="sigmoid", use_bias=True, return_sequences=True, go_backwards=False, return_state=False, dropout=0.0, recurrent_dropout=0.0, kernel_regularizer=None, unit_forget_bias=True, name="lstm_5"),  # (None, 32, 256)
    layers.LSTM(units=512, activation="tanh", recurrent_activation="sigmoid", use_bias=True, return_sequences=True, go_backwards=False, return_state=False, dropout=0.0, recurrent_dropout=0.0, kernel_regularizer=None, unit_forget_bias=True, name="lstm_6"),  # (None, 32, 512)
    layers.TimeDistributed(layers.Dense(units=1, activation="linear", use_bias=True, kernel_regularizer=None), name="time_distributed_1"),  # (None, 32, 1)
], name="LSTM_autoencoder")
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07), loss="mse")
model.summary()

# Train on arrays shaped (samples, time, features), e.g. windows of your series:
# model.fit(x, y, epochs=20, batch_size=32, validation_split=0.2, shuffle=True)
